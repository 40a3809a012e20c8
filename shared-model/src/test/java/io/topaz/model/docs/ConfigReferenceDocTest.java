package io.topaz.model.docs;

import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.json.Json;
import io.topaz.model.testing.RepositoryDocs;
import org.junit.jupiter.api.Test;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * docs/config-reference.md documents every config kind of {@link ConfigKind#all()}: a section {@code ## `kind`} whose
 * table lists exactly the record's JSON fields (nested records of a list as {@code field[].name}) with the type and
 * default derived from the record, and a JSON example that the control plane would accept. A kind or field added to
 * the code without its documentation fails here with a message saying what to add.
 */
class ConfigReferenceDocTest {

    private static final String DOC = "docs/config-reference.md";

    /** A documented row: type and default as written. */
    private record Row(String type, String defaultValue) {
    }

    @Test
    void everyKindAndFieldIsDocumentedAsTheRecordsDefineThem() throws Exception {
        String doc = RepositoryDocs.read(DOC);
        List<String> problems = new ArrayList<>();
        for (ConfigKind<?> kind : ConfigKind.all()) {
            String section = section(doc, kind.name());
            if (section == null) {
                problems.add("config kind '" + kind.name() + "' (" + kind.type().getSimpleName() + ") is not documented: add a"
                        + " section '## `" + kind.name() + "`' with a table of its fields and a ```json example");
                continue;
            }
            Map<String, Row> documented = rows(section);
            Map<String, Row> expected = new LinkedHashMap<>();
            expectedRows(kind.type(), "", expected);
            for (var e : expected.entrySet()) {
                Row row = documented.get(e.getKey());
                if (row == null) {
                    problems.add(kind.name() + ": field '" + e.getKey() + "' is not documented: add the row | `"
                            + e.getKey() + "` | " + e.getValue().type() + " | " + quoted(e.getValue().defaultValue())
                            + " | <rules> |");
                } else if (!row.equals(e.getValue())) {
                    problems.add(kind.name() + ": field '" + e.getKey() + "' is documented as type '" + row.type()
                            + "', default '" + row.defaultValue() + "', but the record has type '" + e.getValue().type()
                            + "', default '" + e.getValue().defaultValue() + "'");
                }
            }
            for (String name : documented.keySet()) {
                if (!expected.containsKey(name)) {
                    problems.add(kind.name() + ": field '" + name + "' is documented but " + kind.type().getSimpleName()
                            + " has no such field");
                }
            }
            List<String> examples = RepositoryDocs.fencedBlocks(section, "json");
            if (examples.isEmpty()) {
                problems.add(kind.name() + ": no ```json example");
            }
            for (String example : examples) {
                try {
                    ConfigEntry entry = Json.strict().readValue(example.getBytes(StandardCharsets.UTF_8), kind.type());
                    if (!entry.validate().isEmpty()) {
                        problems.add(kind.name() + ": the example is refused: " + entry.validate());
                    }
                } catch (RuntimeException e) {
                    problems.add(kind.name() + ": the example does not read as " + kind.type().getSimpleName() + ": "
                            + e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(DOC + " does not match the config records:\n  " + String.join("\n  ", problems));
        }
    }

    private static String quoted(String defaultValue) {
        return "—".equals(defaultValue) ? defaultValue : "`" + defaultValue + "`";
    }

    /** The text from {@code ## `name`} to the next {@code ## } heading, or null. */
    private static String section(String doc, String name) {
        String heading = "\n## `" + name + "`\n";
        int at = doc.indexOf(heading);
        if (at < 0) {
            return null;
        }
        int end = doc.indexOf("\n## ", at + heading.length());
        return doc.substring(at + heading.length(), end < 0 ? doc.length() : end + 1);
    }

    private static Map<String, Row> rows(String section) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : section.split("\n")) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = Arrays.stream(line.split("(?<!\\\\)\\|")).map(String::strip).toArray(String[]::new);
            // cells[0] is empty (the line starts with |): field, type, default, rules follow
            rows.put(cells[1].replace("`", ""), new Row(cells[2], cells[3].replace("`", "")));
        }
        return rows;
    }

    /** The record's fields, type names and defaults (what its canonical constructor makes of absent fields). */
    private static void expectedRows(Class<?> record, String prefix, Map<String, Row> into) throws Exception {
        RecordComponent[] components = record.getRecordComponents();
        Object defaults = record.getDeclaredConstructor(
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class[]::new))
                .newInstance(new Object[components.length]);
        for (RecordComponent c : components) {
            Object value = c.getAccessor().invoke(defaults);
            String def = value == null ? "—" : new String(Json.write(value), StandardCharsets.UTF_8);
            String name = prefix + c.getName();
            into.put(name, new Row(typeName(c.getGenericType()), def));
            Class<?> element = listElement(c.getGenericType());
            if (element != null && element.isRecord()) {
                expectedRows(element, name + "[].", into);
            }
        }
    }

    private static String typeName(Type type) {
        Class<?> element = listElement(type);
        if (element != null) {
            return "array of " + (element.isRecord() ? "object" : typeName(element));
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            return "string";
        }
        if (c == Integer.class || c == Long.class || c == int.class || c == long.class) {
            return "integer";
        }
        if (c == Double.class || c == double.class) {
            return "number";
        }
        if (c == Boolean.class || c == boolean.class) {
            return "boolean";
        }
        if (c.isEnum()) {
            return "string: " + Arrays.stream(c.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
        }
        if (c.isRecord()) {
            return "object";
        }
        throw new AssertionError("no documented type name for " + type + ": extend ConfigReferenceDocTest.typeName");
    }

    private static Class<?> listElement(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class
                && p.getActualTypeArguments()[0] instanceof Class<?> element) {
            return element;
        }
        return null;
    }
}
