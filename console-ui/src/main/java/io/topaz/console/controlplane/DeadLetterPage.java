package io.topaz.console.controlplane;

import java.util.List;

/**
 * One page of an app's dead letters over every broker agent, newest first ({@code GET /api/v1/messages/dead-letters}).
 *
 * @param page        from 0
 * @param total       matching dead letters on the agents that answered
 * @param unreachable agents that did not answer: their dead letters are missing from this page
 */
public record DeadLetterPage(String app, int page, int size, long total, List<Item> items, List<String> unreachable) {

    public DeadLetterPage {
        items = items == null ? List.of() : List.copyOf(items);
        unreachable = unreachable == null ? List.of() : List.copyOf(unreachable);
    }

    /** One dead letter and the agent holding it. */
    public record Item(String agentId, long id, String queue, String group, String topic, String publisher,
                       String pubTime, long userId, String userNick, long dataId, String content, String deadAt,
                       long deadAtMillis, int attempts, String reason) {
    }

    /** What a replay or purge did: {@code done} of the {@code requested} ids, summed over the agents that answered. */
    public record ActionResult(String app, String action, int requested, long done, List<String> unreachable) {
        public ActionResult {
            unreachable = unreachable == null ? List.of() : List.copyOf(unreachable);
        }
    }
}
