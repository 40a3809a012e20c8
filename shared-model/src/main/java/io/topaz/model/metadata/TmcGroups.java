package io.topaz.model.metadata;

import java.util.List;

/**
 * An app's consumer groups of the message service ({@code taobao.tmc.group.add}), without their members (members
 * are on each seller's {@link TmcUser}). The {@code default} group always exists and is not listed. Agents check a
 * consume's or a push connection's {@code group_name} against this.
 *
 * @param version grows with every group added or deleted (the metadata event's version)
 */
public record TmcGroups(String appKey, List<String> groups, long version) {

    public TmcGroups {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    public boolean exists(String groupName) {
        return TmcUser.DEFAULT_GROUP.equals(groupName) || groups.contains(groupName);
    }
}
