/**
 * The releases screen: the draft's diff against the live release, publishing it with a message, rolling back to a
 * chosen release, and after either, each agent's progress until all have applied the new release
 * ({@link io.topaz.console.releases.Rollout}).
 */
package io.topaz.console.releases;
