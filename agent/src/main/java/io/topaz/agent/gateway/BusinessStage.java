package io.topaz.agent.gateway;

import io.topaz.model.config.ApiDefinition;

import java.util.concurrent.CompletableFuture;

/**
 * Business: the method names an API this platform serves, the app may call the API's group, and every required
 * application parameter is present.
 */
final class BusinessStage implements Stage {

    @Override
    public CompletableFuture<TopError> apply(Call call) {
        ApiDefinition api = call.config.apis().get(call.method);
        if (api == null) {
            return Stage.fail(22, "isv.invalid-method", "no API named '" + ProtocolStage.truncate(call.method) + "'");
        }
        call.api = api;
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
