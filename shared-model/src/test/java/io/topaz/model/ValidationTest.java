package io.topaz.model;

import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.CacheRule;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.UpstreamEndpoint;
import io.topaz.model.validation.FieldError;
import io.topaz.model.validation.ReleaseValidator;
import io.topaz.model.zk.ZkLayout;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ValidationTest {

    @Test
    void errorsNameFieldValueAndRule() {
        ApiDefinition api = new ApiDefinition("taobao.ok.get", "g", List.of(new UpstreamEndpoint("http://h:1", 5)), -5,
                false, List.of("a", "a"));
        List<FieldError> errors = api.validate();
        assertThat(errors).extracting(FieldError::field).containsExactly("timeoutMillis", "requiredParameters");
        assertThat(errors.get(0).message()).isEqualTo("timeoutMillis must be between 1 and 120000, was -5");
    }

    @Test
    void cacheRuleRefreshMustComeBeforeExpiry() {
        CacheRule rule = new CacheRule(MetadataKind.APP, 10L, 5_000L, 10_000L, null, null, 0.9, -1L);
        assertThat(rule.validate()).extracting(FieldError::field)
                .containsExactly("refreshAfterMillis", "bloomFalsePositiveRate", "filterMissLookupsPerSecond");
        assertThat(new CacheRule(MetadataKind.SESSION, null, null, null, null, null, null, null)
                .filterMissLookupsPerSecond()).isEqualTo(100L);
    }

    @Test
    void overlappingSellerGroupsAreRefusedAtPublish() {
        ConfigSnapshot s = ConfigSnapshot.builder(1)
                .put(ConfigKind.SELLER_GROUPS, new SellerGroup("a", null, 0, 100))
                .put(ConfigKind.SELLER_GROUPS, new SellerGroup("b", null, 50, 200))
                .build();
        assertThat(ReleaseValidator.validate(s)).singleElement()
                .satisfies(e -> assertThat(e.rule()).contains("must not overlap seller group 'a'"));
    }

    @Test
    void keysBecomeSafePathSegments() {
        assertThat(ZkLayout.encodeKey("a/b")).isEqualTo("a%2Fb");
        assertThat(ZkLayout.encodeKey("..")).isEqualTo("%2E%2E");
        assertThat(ZkLayout.decodeKey(ZkLayout.encodeKey("x y/z"))).isEqualTo("x y/z");
        assertThat(new ZkLayout("/t").draftItem(ConfigKind.FLOW_RULES, "r/1")).isEqualTo("/t/draft/flow-rules/r%2F1");
    }
}
