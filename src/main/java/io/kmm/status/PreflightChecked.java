package io.kmm.status;

import java.util.Set;

/**
 * A CDI event: a PreflightValidation's verdicts were counted (for the metrics).
 *
 * @param name the PreflightValidation
 * @param success Module and kernel pairs that will load
 * @param failure pairs that will not
 * @param inProgress pairs still checked or built
 * @param existing every PreflightValidation that exists now: the metrics forget the others
 */
public record PreflightChecked(String name, int success, int failure, int inProgress, Set<String> existing) {
}
