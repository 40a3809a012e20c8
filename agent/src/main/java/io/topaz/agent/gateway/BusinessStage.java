package io.topaz.agent.gateway;

import io.topaz.model.config.ApiDefinition;

import java.util.concurrent.CompletableFuture;

/**
 * Business: the method names an API this platform serves, the app may call the API's group, and every required
 * application parameter is present. A method built into the agent ({@link BuiltInApis}) is found first.
 */
final class BusinessStage implements Stage {

    private final BuiltInApis builtIns;

    /** @param builtIns the APIs the agent serves itself, or null for none */
    BusinessStage(BuiltInApis builtIns) {
        this.builtIns = builtIns;
    }

    /** The API a method names: a built-in one first (its names are refused in config), else the release's. */
    static ApiDefinition find(BuiltInApis builtIns, Call call) {
        ApiDefinition builtIn = builtIns == null || call.method == null ? null : builtIns.api(call.method);
        return builtIn != null ? builtIn : call.config.apis().get(call.method);
    }

    @Override
    public CompletableFuture<TopError> apply(Call call) {
        ApiDefinition api = find(builtIns, call);
        if (api == null) {
            return Stage.fail(22, "isv.invalid-method", "no API named '" + ProtocolStage.truncate(call.method) + "'");
        }
        call.api = api;
        call.builtIn = builtIns != null && builtIns.api(call.method) != null;
        if (!call.app.mayCall(api.apiGroup())) {
            return Stage.fail(11, "isv.permission-api-package-limit", "app '" + call.appKey
                    + "' may not call API group '" + api.apiGroup() + "'");
        }
        for (String required : api.requiredParameters()) {
            String v = call.params.get(required);
            if (v == null || v.isEmpty()) {
                return Stage.fail(40, "isv.missing-parameter:" + required, "the parameter '" + required
                        + "' is required by " + api.method());
            }
        }
        return PASS;
    }
}
