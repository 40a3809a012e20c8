/**
 * The message service's data (TOP's TMC): sellers' permits of apps for topics ({@code taobao.tmc.user.*}) and apps'
 * consumer groups with their members ({@code taobao.tmc.group.*}). Data, not config — it grows with sellers — so it is
 * kept in the database (Flyway {@code V3__message_service.sql}), changed by agents through the AGENT-role API under
 * {@code /api/v1/metadata/tmc} (agents serve the TOP methods and call this), read by agents through the metadata lookup,
 * and announced to them by metadata events ({@code TMC_USER} by user id, {@code TMC_GROUPS} by app key) after each
 * change commits. Topics and subscriptions themselves are config kinds, published like the rest.
 */
package io.topaz.control.tmc;
