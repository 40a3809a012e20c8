/** The admin HTTP port: {@code /health} and {@code /metrics} on Netty. */
package io.topaz.agent.admin;
