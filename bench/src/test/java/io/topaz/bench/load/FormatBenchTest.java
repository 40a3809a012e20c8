package io.topaz.bench.load;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FormatBenchTest {

    @Test
    void formatsAreReadInOrderWhateverTheCaseAndSpaces() {
        assertThat(FormatBench.parseFormats(" XML , json")).containsExactly("xml", "json");
        assertThat(FormatBench.parseFormats("json")).containsExactly("json");
    }

    @Test
    void anUnknownOrRepeatedFormatIsRefusedByName() {
        assertThatThrownBy(() -> FormatBench.parseFormats("json,yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'yaml'");
        assertThatThrownBy(() -> FormatBench.parseFormats("json,,xml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("''");
        assertThatThrownBy(() -> FormatBench.parseFormats("xml,XML"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("named twice");
    }

    @Test
    void eachFormatIsCheckedForItsOwnResponseElementAndNotAnError() {
        assertThat("<?xml version=\"1.0\" encoding=\"UTF-8\"?><item_get_response><item/></item_get_response>")
                .contains(FormatBench.expected("xml"));
        assertThat("{\"item_get_response\":{\"item\":{}}}").contains(FormatBench.expected("json"))
                .doesNotContain(FormatBench.expected("xml"));
        assertThat("<error_response><code>25</code></error_response>").doesNotContain(FormatBench.expected("xml"));
    }

    @Test
    void roundsAlternateTheOrderOfTheFormats() {
        List<String> formats = List.of("json", "xml");
        assertThat(FormatBench.inRoundOrder(formats, 0)).containsExactly("json", "xml");
        assertThat(FormatBench.inRoundOrder(formats, 1)).containsExactly("xml", "json");
        assertThat(FormatBench.inRoundOrder(formats, 2)).containsExactly("json", "xml");
        assertThat(formats).containsExactly("json", "xml");
    }
}
