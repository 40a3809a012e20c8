package io.topaz.console.messages;

import io.topaz.console.controlplane.DeadLetterPage;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One dead letter in the table: the seller by nick and id, when it died in the console's zone, and the first
 * {@value #PREVIEW} characters of its content on one line.
 */
public record DeadLetterRow(long id, String topic, String seller, String diedAt, int attempts, String reason,
                            String preview, String group, String agentId) {

    static final int PREVIEW = 120;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    static DeadLetterRow of(DeadLetterPage.Item d, ZoneId zone) {
        String seller = d.userNick() == null ? String.valueOf(d.userId()) : d.userNick() + " (" + d.userId() + ")";
        String content = d.content() == null ? "" : d.content().replaceAll("\\s+", " ");
        String preview = content.length() > PREVIEW ? content.substring(0, PREVIEW) + "…" : content;
        return new DeadLetterRow(d.id(), d.topic(), seller,
                TIME.format(Instant.ofEpochMilli(d.deadAtMillis()).atZone(zone)), d.attempts(), d.reason(), preview,
                d.group(), d.agentId());
    }
}
