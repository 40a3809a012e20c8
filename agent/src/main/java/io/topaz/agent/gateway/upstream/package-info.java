/** The non-blocking, pooled HTTP/1.1 client the gateway calls upstream services with. */
package io.topaz.agent.gateway.upstream;
