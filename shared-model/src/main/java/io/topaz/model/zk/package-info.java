/** The ZooKeeper path layout, owned by {@link io.topaz.model.zk.ZkLayout}. */
package io.topaz.model.zk;
