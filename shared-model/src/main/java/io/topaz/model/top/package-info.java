/**
 * TOP's wire protocol facts shared by the gateway and the SDK: sign methods and the request signature.
 */
package io.topaz.model.top;
