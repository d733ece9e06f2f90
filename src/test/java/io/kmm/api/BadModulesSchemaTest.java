package io.kmm.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.kmm.BadModules;

/** Every mistake in {@link BadModules} meets the CRD as committed in kubernetes/crd/: rejected, or left to the operator. */
class BadModulesSchemaTest {

    static List<BadModules.Case> cases() {
        return BadModules.all();
    }

    @Test
    void theTableIsLargeAndEveryMistakeHasAnAnswer() {
        List<BadModules.Case> cases = cases();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(25);
        assertThat(new HashSet<>(cases.stream().map(BadModules.Case::name).toList())).hasSize(cases.size());
        assertThat(cases).allSatisfy(c -> assertThat(c.schemaError() != null || c.statusReason() != null)
                .as("%s: neither the schema nor the operator answers %s", c.name(), c.mistake()).isTrue());
    }

    @Test
    void theDocsCountTheMistakesRight() throws Exception {
        String count = "all " + cases().size() + " mistakes";
        for (String doc : List.of("docs/development.md", "docs/architecture.md")) {
            assertThat(java.nio.file.Files.readString(java.nio.file.Path.of(doc))).as(doc).contains(count)
                    .doesNotContainPattern("all (?!" + cases().size() + " )\\d+ mistakes");
        }
    }

    @Test
    void theGoodModuleFitsTheSchema() throws Exception {
        assertThat(CrdSchema.validate(BadModules.good("good"), CrdTest.schema())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void admission(BadModules.Case c) throws Exception {
        List<String> errors = CrdSchema.validate(c.module(), CrdTest.schema());
        if (c.schemaError() == null) {
            assertThat(errors).as("%s is accepted by the schema; the operator reports it", c.mistake()).isEmpty();
        } else {
            assertThat(errors).as("%s is rejected at admission", c.mistake())
                    .anySatisfy(e -> assertThat(e).contains(c.schemaError()));
        }
    }
}
