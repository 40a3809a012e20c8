package io.topaz.model;

import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.Subscription;
import io.topaz.model.config.Topic;
import io.topaz.model.json.Json;
import io.topaz.model.metadata.MetadataLookup;
import io.topaz.model.metadata.TmcGroups;
import io.topaz.model.metadata.TmcUser;
import io.topaz.model.release.EncodedRelease;
import io.topaz.model.release.ReleaseCodec;
import io.topaz.model.release.SnapshotFile;
import io.topaz.model.validation.FieldError;
import io.topaz.model.validation.ReleaseValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The message service's config kinds (topics, subscriptions) and metadata records: validation, JSON, releases. */
class MessageServiceConfigTest {

    private static Topic trade(String name, String... producers) {
        return new Topic(name, "taobao_trade", "", List.of(producers), "tid");
    }

    @Test
    void aValidTopicAndSubscriptionPass() {
        assertThat(trade("taobao_trade_TradeCreate", "12345678").validate()).isEmpty();
        assertThat(new Topic("fenxiao_FxOrderCreate", "fenxiao", null, null, null).validate()).isEmpty();
        assertThat(new Subscription("12345678", List.of("taobao_trade_TradeCreate")).validate()).isEmpty();
    }

    @Test
    void topicErrorsNameEveryBrokenField() {
        Topic bad = new Topic("Trade Create", "", "x".repeat(501), List.of("ok", "bad key!", "ok"), "1tid");
        List<FieldError> errors = bad.validate();
        assertThat(errors).extracting(FieldError::field)
                .containsExactly("name", "group", "description", "producerApps[1]", "producerApps", "dataIdField");
        assertThat(errors.get(0).message()).contains("must be a topic name such as taobao_trade_TradeCreate");
        assertThat(new Topic("taobao", "g", null, null, null).validate()).extracting(FieldError::field)
                .containsExactly("name"); // one part is not a TOP topic name
    }

    @Test
    void subscriptionErrorsNameEveryBrokenField() {
        assertThat(new Subscription("app", List.of()).validate()).extracting(FieldError::field).containsExactly("topics");
        List<FieldError> errors = new Subscription(null,
                List.of("taobao_trade_TradeCreate", "nope", "taobao_trade_TradeCreate")).validate();
        assertThat(errors).extracting(FieldError::field).containsExactly("appKey", "topics[1]", "topics");
    }

    @Test
    void aSubscriptionToAnUnknownTopicIsRefusedAtPublish() {
        ConfigSnapshot s = ConfigSnapshot.builder(1)
                .put(ConfigKind.TOPICS, trade("taobao_trade_TradeCreate"))
                .put(ConfigKind.SUBSCRIPTIONS, new Subscription("app-1",
                        List.of("taobao_trade_TradeCreate", "taobao_trade_TradeGone")))
                .build();
        assertThat(ReleaseValidator.validate(s)).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("subscriptions['app-1'].topics[1]");
            assertThat(e.value()).isEqualTo("taobao_trade_TradeGone");
            assertThat(e.rule()).isEqualTo("must name an existing topic");
        });
    }

    @Test
    void topicsAndSubscriptionsRoundTripThroughJsonAndReleases() {
        Topic topic = trade("taobao_trade_TradeChanged", "producer-1", "producer-2");
        Subscription sub = new Subscription("demo-app", List.of("taobao_trade_TradeChanged"));
        assertThat(Json.strict().readValue(Json.write(topic), Topic.class)).isEqualTo(topic);
        assertThat(Json.strict().readValue(Json.write(sub), Subscription.class)).isEqualTo(sub);
        // what an operator may leave out
        assertThat(Json.strict().readValue("{\"name\":\"taobao_trade_TradeClose\",\"group\":\"taobao_trade\"}", Topic.class))
                .isEqualTo(new Topic("taobao_trade_TradeClose", "taobao_trade", "", List.of(), null));

        ConfigSnapshot s = ConfigSnapshot.builder(3).put(ConfigKind.TOPICS, topic).put(ConfigKind.SUBSCRIPTIONS, sub).build();
        EncodedRelease r = ReleaseCodec.encode(s, "m", "a", 0, null);
        assertThat(r.manifest().kinds()).containsOnlyKeys("topics", "subscriptions");
        ConfigSnapshot back = ReleaseCodec.decode(r.manifest(), r.blobs()::get);
        assertThat(back.sameContent(s)).isTrue();
        assertThat(back.topics().get("taobao_trade_TradeChanged").producibleBy("producer-2")).isTrue();
        assertThat(back.subscriptions().get("demo-app").subscribes("taobao_trade_TradeChanged")).isTrue();
    }

    @Test
    void aReleaseWrittenBeforeTheMessageServiceStillDecodes(@TempDir Path dir) throws Exception {
        // written by the build before topics and subscriptions existed (release 7: an API, a flow rule, a seller group)
        Path file = dir.resolve("release.json");
        try (InputStream in = getClass().getResourceAsStream("/releases/release-before-topics.json")) {
            Files.write(file, in.readAllBytes());
        }
        ConfigSnapshot old = SnapshotFile.read(file).orElseThrow();
        assertThat(old.release()).isEqualTo(7);
        assertThat(old.apis()).containsOnlyKeys("taobao.trade.get");
        assertThat(old.flowRules()).containsOnlyKeys("trade-qps");
        assertThat(old.items(ConfigKind.SELLER_GROUPS)).containsOnlyKeys("g1");
        assertThat(old.topics()).isEmpty();
        assertThat(old.subscriptions()).isEmpty();
        // re-encoding it today gives the same blobs: a release without topics is written exactly as before
        EncodedRelease again = ReleaseCodec.encode(old, "again", "test", 0, null);
        String stored = Files.readString(file);
        again.manifest().kinds().values().forEach(k -> k.blobs().forEach(h -> assertThat(stored).contains(h)));
    }

    @Test
    void permitsCoverSubscribedTopicsOnly() {
        TmcUser.Permit all = new TmcUser.Permit("a", null, true, null, 1, 1);
        TmcUser.Permit some = new TmcUser.Permit("b", List.of("taobao_trade_TradeCreate"), false, "vip", 1, 1);
        Set<String> subscribed = Set.of("taobao_trade_TradeCreate", "taobao_trade_TradeClose");
        assertThat(all.groupName()).isEqualTo("default");
        assertThat(all.covers("taobao_trade_TradeClose", subscribed)).isTrue();
        assertThat(all.covers("taobao_refund_RefundCreated", subscribed)).isFalse(); // not subscribed
        assertThat(some.covers("taobao_trade_TradeCreate", subscribed)).isTrue();
        assertThat(some.covers("taobao_trade_TradeClose", subscribed)).isFalse(); // not permitted
        assertThat(new TmcGroups("a", List.of("vip"), 2).exists("default")).isTrue();
        assertThat(new TmcGroups("a", List.of("vip"), 2).exists("other")).isFalse();
    }

    @Test
    void aLookupWithoutTheMessageServiceKindsReadsAsEmpty() {
        MetadataLookup.Request req = Json.read("{\"apps\":[\"a\"],\"sessions\":[]}".getBytes(), MetadataLookup.Request.class);
        assertThat(req.tmcUsers()).isEmpty();
        assertThat(req.tmcGroups()).isEmpty();
        MetadataLookup.Response resp = Json.read("{\"apps\":{},\"sessions\":{}}".getBytes(), MetadataLookup.Response.class);
        assertThat(resp.tmcUsers()).isEmpty();
        TmcUser user = new TmcUser(4_611_686_018_427_387_904L, "nick",
                List.of(new TmcUser.Permit("a", List.of("t_x"), false, "g", 5, 6)), 3);
        MetadataLookup.Response full = new MetadataLookup.Response(Map.of(), Map.of(), Map.of("4611686018427387904", user),
                Map.of("a", new TmcGroups("a", List.of("g"), 1)));
        assertThat(Json.read(Json.write(full), MetadataLookup.Response.class)).isEqualTo(full);
    }

    @Test
    void aSubscriptionsBacklogCapIsOptionalAndBounded() {
        assertThat(new Subscription("app", List.of("taobao_trade_TradeCreate"), 1_000L).validate()).isEmpty();
        assertThat(new Subscription("app", List.of("taobao_trade_TradeCreate"), 999L).validate())
                .extracting(FieldError::field).containsExactly("maxBacklog");
        assertThat(new Subscription("app", List.of("taobao_trade_TradeCreate"), 2_000_000_000L).validate())
                .extracting(FieldError::field).containsExactly("maxBacklog");
        Subscription read = Json.read("{\"appKey\":\"app\",\"topics\":[\"taobao_trade_TradeCreate\"]}".getBytes(),
                Subscription.class);
        assertThat(read.maxBacklog()).isNull();
        assertThat(Json.read(Json.write(new Subscription("app", List.of("taobao_trade_TradeCreate"), 5_000L)),
                Subscription.class).maxBacklog()).isEqualTo(5_000L);
    }

    @Test
    void theMessageServicesMethodsAndGroupAreReservedForTheAgents() {
        io.topaz.model.config.UpstreamEndpoint up = new io.topaz.model.config.UpstreamEndpoint("http://127.0.0.1:9090/", 100);
        assertThat(new io.topaz.model.config.ApiDefinition("taobao.tmc.messages.consume", "trade", List.of(up), null,
                null, null).validate()).extracting(FieldError::field).containsExactly("method");
        assertThat(new io.topaz.model.config.ApiDefinition("taobao.trade.get", "tmc", List.of(up), null, null, null)
                .validate()).extracting(FieldError::field).containsExactly("apiGroup");
        assertThat(new io.topaz.model.config.ApiDefinition("taobao.tmcx.get", "trade", List.of(up), null, null, null)
                .validate()).isEmpty();
    }

    @Test
    void theLookupCarriesNicksAndReadsOldMessagesWithout() {
        MetadataLookup.Request old = Json.read("{\"apps\":[\"a\"]}".getBytes(), MetadataLookup.Request.class);
        assertThat(old.tmcNicks()).isEmpty();
        MetadataLookup.Response r = Json.read(Json.write(new MetadataLookup.Response(Map.of(), Map.of(), Map.of(),
                Map.of(), Map.of("seller", "1001"))), MetadataLookup.Response.class);
        assertThat(r.tmcNicks()).containsEntry("seller", "1001");
        assertThat(new MetadataLookup.Request(List.of(), List.of(), List.of(), List.of(), List.of("x", "y")).size())
                .isEqualTo(2);
    }
}
