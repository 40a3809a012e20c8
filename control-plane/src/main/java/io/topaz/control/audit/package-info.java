/** The audit log: every change and publish with who, when, what and which release, queryable over REST. */
package io.topaz.control.audit;
