/** Tests that run the repository's documented commands against a real stack, so the docs cannot drift from it. */
package io.topaz.control.docs;
