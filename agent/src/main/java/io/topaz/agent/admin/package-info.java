/**
 * The admin HTTP port: {@code /health}, {@code /metrics} and the features' routes on Netty; GET and HEAD open, other
 * methods behind a control-plane bearer token.
 */
package io.topaz.agent.admin;
