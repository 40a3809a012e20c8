package io.topaz.control.tmc;

import io.topaz.control.web.ApiException;
import io.topaz.model.validation.ConfigValidationException;
import io.topaz.model.validation.FieldError;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Arrays;
import java.util.List;

/**
 * {@code /api/v1/metadata/tmc/apps/{appKey}/…}: the message service's data as agents change and read it while serving
 * the TOP methods, with an agent token only (like every {@code /api/v1/metadata} path). One path per TOP method:
 *
 * <pre>
 * POST permits/permit  {userId, topics}   taobao.tmc.user.permit  (userId: the seller of the call's session)
 * POST permits/cancel  {nick}             taobao.tmc.user.cancel  → {cancelled}
 * GET  permits?nick=                      taobao.tmc.user.get     (404 when the seller has not permitted the app)
 * GET  permits/sellers?after=&amp;limit=     the sellers who permitted the app (the order sync copies them), paged
 *                                          with limit (at most 50,000) and the answer's next as the next after
 * POST groups/add      {groupName, nicks} taobao.tmc.group.add
 * POST groups/delete   {groupName, nicks} taobao.tmc.group.delete
 * GET  groups?groupNames=a,b&amp;page=&amp;size=  taobao.tmc.groups.get
 * </pre>
 */
@RestController
@RequestMapping("/api/v1/metadata/tmc/apps/{appKey}")
class TmcController {

    record PermitRequest(String userId, List<String> topics) {
    }

    record CancelRequest(String nick) {
    }

    record Cancelled(boolean cancelled) {
    }

    record GroupRequest(String groupName, List<String> nicks) {
    }

    private final PermitService permits;
    private final ConsumerGroupService groups;

    TmcController(PermitService permits, ConsumerGroupService groups) {
        this.permits = permits;
        this.groups = groups;
    }

    @PostMapping("/permits/permit")
    PermitService.PermitView permit(@PathVariable String appKey, @RequestBody PermitRequest req,
                                    Authentication auth) throws Exception {
        return permits.permit(appKey, req.userId(), req.topics(), auth.getName());
    }

    @PostMapping("/permits/cancel")
    Cancelled cancel(@PathVariable String appKey, @RequestBody CancelRequest req, Authentication auth) {
        return new Cancelled(permits.cancel(appKey, req.nick(), auth.getName()));
    }

    @GetMapping("/permits")
    PermitService.PermitView permitOf(@PathVariable String appKey, @RequestParam String nick) throws Exception {
        return permits.get(appKey, nick).orElseThrow(() ->
                ApiException.notFound("user '" + nick + "' has not permitted app '" + appKey + "'"));
    }

    /** {@code {appKey, sellers: [{userId, nick, permittedAt}]}}, by user id; 404 for an unknown app. */
    @GetMapping("/permits/sellers")
    PermitService.PermittedSellers permittedSellers(@PathVariable String appKey,
                                                    @RequestParam(required = false) String after,
                                                    @RequestParam(required = false) Integer limit) {
        return permits.sellers(appKey, after, limit);
    }

    @PostMapping("/groups/add")
    ConsumerGroupService.GroupView addGroup(@PathVariable String appKey, @RequestBody GroupRequest req,
                                            Authentication auth) {
        return groups.add(appKey, req.groupName(), req.nicks(), auth.getName());
    }

    @PostMapping("/groups/delete")
    ConsumerGroupService.Deleted deleteGroup(@PathVariable String appKey, @RequestBody GroupRequest req,
                                             Authentication auth) {
        if (req.groupName() == null || req.groupName().isBlank()) {
            throw new ConfigValidationException("group", List.of(new FieldError("groupName", null, "is required")));
        }
        return groups.delete(appKey, req.groupName(), req.nicks(), auth.getName());
    }

    @GetMapping("/groups")
    ConsumerGroupService.GroupPage groups(@PathVariable String appKey,
                                          @RequestParam(required = false) String groupNames,
                                          @RequestParam(defaultValue = "0") int page,
                                          @RequestParam(defaultValue = "40") int size) {
        List<String> names = groupNames == null || groupNames.isBlank() ? List.of()
                : Arrays.stream(groupNames.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        return groups.list(appKey, names, page, size);
    }
}
