/** Reaching the control plane: its URLs (one or several instances) and the fail-over between them. */
package io.topaz.agent.control;
