/**
 * Several control planes on one ZooKeeper ensemble and one database: the leader election that picks the one instance
 * running the singletons, the start-up check that refuses a database the instances cannot share, and the forwarding of
 * reads only the leader can answer.
 */
package io.topaz.control.ha;
