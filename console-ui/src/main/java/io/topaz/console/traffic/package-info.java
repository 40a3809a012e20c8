/**
 * The traffic screen: each flow, quota and overload rule's live pass and block rates as the control plane sums them
 * over the agents ({@code GET /api/v1/traffic/rates}), and a chart of the selected rule's recent rates.
 */
package io.topaz.console.traffic;
