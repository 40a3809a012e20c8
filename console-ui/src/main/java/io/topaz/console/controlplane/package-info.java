/**
 * The control plane's REST API as the console uses it: {@link io.topaz.console.controlplane.ControlPlaneClient} and the
 * records it reads. Every failure becomes a {@link io.topaz.console.controlplane.ControlPlaneException} whose message an
 * operator can act on; nothing here touches JavaFX or blocks the UI thread by itself (callers run it in the
 * background).
 */
package io.topaz.console.controlplane;
