/**
 * Tests that hold the repository's documentation to the code: the TOP signing examples and the config reference are
 * checked here against {@code TopSigner} and the config records, so a doc cannot drift from what runs.
 */
package io.topaz.model.docs;
