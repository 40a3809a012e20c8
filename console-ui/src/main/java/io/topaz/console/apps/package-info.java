/**
 * The Apps screen: apps live in the control plane's metadata store (not in the pushed config); admins create them,
 * disable and enable them and rotate their secrets, which are shown once and kept nowhere.
 */
package io.topaz.console.apps;
