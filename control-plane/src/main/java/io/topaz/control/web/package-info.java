/** Web plumbing shared by the features: the error body, request-body parsing, exception mapping. */
package io.topaz.control.web;
