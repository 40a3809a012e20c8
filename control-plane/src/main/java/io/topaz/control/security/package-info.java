/** Operator authentication: bearer tokens stored hashed, mapped to the roles viewer, operator and admin. */
package io.topaz.control.security;
