/**
 * Signing in: the control plane's URL and an operator token, checked with {@code GET /api/v1/me}. The URL is
 * remembered between runs ({@link io.topaz.console.signin.ConsoleSettings}), the token never; both are prefilled from
 * the quickstart's {@code .topaz/quickstart.env} when it is there ({@link io.topaz.console.signin.QuickstartEnv}).
 */
package io.topaz.console.signin;
