package io.topaz.console.config;

/** How a field is edited and how its text becomes JSON. */
public enum FieldType {
    /** A string. */
    TEXT,
    /** A whole number (JSON integer). */
    WHOLE_NUMBER,
    /** A decimal number. */
    DECIMAL,
    /** One of a fixed set of names (an enum). */
    CHOICE,
    /** true or false. */
    FLAG,
    /** A list of strings, edited as comma-separated text. */
    TEXT_LIST,
    /** An API's upstream instances: rows of URL and weight. */
    UPSTREAMS
}
