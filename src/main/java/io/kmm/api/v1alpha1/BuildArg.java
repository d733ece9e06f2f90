package io.kmm.api.v1alpha1;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One build argument. */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BuildArg {

    @JsonPropertyDescription("Name of the build argument (ARG name in the Dockerfile).")
    @Required
    @Size(max = 128)
    @ValidationRule(value = "self.matches('^[A-Za-z_][A-Za-z0-9_]*$')",
            message = "build argument names are letters, digits and '_', not starting with a digit")
    private String name;

    @JsonPropertyDescription("Value of the build argument.")
    private String value;

    public BuildArg() {
    }

    public BuildArg(String name, String value) {
        this.name = name;
        this.value = value;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BuildArg other && Objects.equals(name, other.name) && Objects.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, value);
    }

    @Override
    public String toString() {
        return name + "=" + value;
    }
}
