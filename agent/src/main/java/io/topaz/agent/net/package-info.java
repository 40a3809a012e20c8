/** The agent's network transport (io_uring, epoll or nio) for its servers and its upstream client. */
package io.topaz.agent.net;
