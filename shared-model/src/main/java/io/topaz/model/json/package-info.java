/** JSON through Jackson: the shared mappers. */
package io.topaz.model.json;
