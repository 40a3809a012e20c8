package io.topaz.control.release;

import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * A cross-entry rule checked at publish that needs more than the draft itself — {@link
 * io.topaz.model.validation.ReleaseValidator} holds the rules the draft alone decides. Every bean of this type is
 * asked; a publish is refused (400) with every field error of every check.
 */
public interface PublishCheck {

    /** The problems of {@code draft}; empty when it passes. */
    List<FieldError> check(ConfigSnapshot draft);
}
