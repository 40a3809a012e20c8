package io.topaz.console;

import java.time.Instant;

/**
 * Placement answers as the control plane documents them ({@code GET /api/v1/placement}), for the tests: cluster blue
 * across zone-a and zone-b with agent-1 (g1 and the pin group pin-42) and agent-3 (g2, handing over from agent-1), g9
 * unplaced; cluster green in zone-c with agent-2 and no group.
 */
public final class PlacementJson {

    public static final Instant NOW = Instant.parse("2026-12-06T09:05:00Z");
    public static final long FIVE_MINUTES_AGO = Instant.parse("2026-12-06T09:00:00Z").toEpochMilli();

    private PlacementJson() {
    }

    /** The fixture with g1 on {@code g1Agent} ({@code holding} as given). */
    public static String of(String g1Agent, boolean g1Holding) {
        String g1Zone = g1Agent.equals("agent-3") ? "zone-b" : "zone-a";
        return """
                {"leader":"cp-1","clusters":[
                 {"name":"blue","zones":["zone-a","zone-b"],"syncConnections":8,
                  "agents":[{"id":"agent-1","zone":"zone-a","changesPerSecond":150.5,"connections":5,"groups":2},
                            {"id":"agent-3","zone":"zone-b","changesPerSecond":20.0,"connections":2,"groups":1}],
                  "groups":[
                   {"group":"g1","bucketFrom":0,"bucketTo":512,"sellers":[],"agent":"%s","zone":"%s",
                    "sinceMillis":%d,"reason":"%s","previousAgent":%s,"generation":%d,"holding":%s,
                    "changesPerSecond":120.5,"lagP99Millis":1250,"connections":3,"backlog":40,
                    "hotSellers":[{"sellerId":1001,"nick":"shop-a","changesPerSecond":80.0},
                                  {"sellerId":1002,"nick":"shop-b","changesPerSecond":10.5}]},
                   {"group":"pin-42","sellers":[42],"agent":"agent-1","zone":"zone-a","sinceMillis":%d,
                    "reason":"initial","previousAgent":null,"generation":1,"holding":true,"changesPerSecond":30.0,
                    "lagP99Millis":80,"connections":2,"backlog":0,"hotSellers":[]},
                   {"group":"g2","bucketFrom":512,"bucketTo":1024,"agent":"agent-3","zone":"zone-b","sinceMillis":%d,
                    "reason":"rebalance","previousAgent":"agent-1","generation":4,"holding":false,
                    "changesPerSecond":20.0,"lagP99Millis":null,"connections":0,"backlog":7,"hotSellers":[]}],
                  "unplaced":["g9"]},
                 {"name":"green","zones":["zone-c"],"syncConnections":4,
                  "agents":[{"id":"agent-2","zone":"zone-c","changesPerSecond":0,"connections":0,"groups":0}],
                  "groups":[],"unplaced":[]}]}
                """.formatted(g1Agent, g1Zone, FIVE_MINUTES_AGO, g1Agent.equals("agent-1") ? "initial" : "operator",
                g1Agent.equals("agent-1") ? "null" : "\"agent-1\"", g1Agent.equals("agent-1") ? 1 : 2, g1Holding,
                FIVE_MINUTES_AGO, FIVE_MINUTES_AGO);
    }
}
