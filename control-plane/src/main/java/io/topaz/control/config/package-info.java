/** The draft: CRUD on every config kind with validation, optimistic concurrency and audit. */
package io.topaz.control.config;
