package io.topaz.control.traffic;

import java.util.Comparator;
import java.util.Set;

/**
 * A traffic-control rule as the agents' metrics name it: {@code kind} is {@code flow}, {@code quota} or
 * {@code overload}; {@code rule} is the rule's id, or for overload the priority tier ({@code critical}, {@code normal},
 * {@code low}).
 */
public record RuleKey(String kind, String rule) implements Comparable<RuleKey> {

    public static final Set<String> KINDS = Set.of("flow", "quota", "overload");

    private static final Comparator<RuleKey> ORDER = Comparator.comparing(RuleKey::kind).thenComparing(RuleKey::rule);

    @Override
    public int compareTo(RuleKey o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return kind + "/" + rule;
    }
}
