package io.kmm.api;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A small structural-schema checker, enough to tell whether a manifest fits a CRD's openAPIV3Schema the way the
 * API server would judge it (types, required fields, unknown fields, minItems). The mock API server does not
 * validate, so tests use this instead.
 */
public final class CrdSchema {

    private CrdSchema() {
    }

    public static List<String> validate(JsonNode value, JsonNode schema) {
        List<String> errors = new ArrayList<>();
        validate(value, schema, "", errors);
        return errors;
    }

    private static void validate(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (schema == null || value == null || value.isNull()) {
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isInt() && !value.isTextual()) {
                errors.add(path + ": must be an integer or a string");
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> {
                if (!value.isObject()) {
                    errors.add(path + ": must be an object");
                    return;
                }
                JsonNode properties = schema.path("properties");
                JsonNode additional = schema.get("additionalProperties");
                boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                    var field = it.next();
                    String child = path + "." + field.getKey();
                    if (properties.has(field.getKey())) {
                        validate(field.getValue(), properties.get(field.getKey()), child, errors);
                    } else if (additional != null && additional.isObject()) {
                        validate(field.getValue(), additional, child, errors);
                    } else if (!preserve && !path.isEmpty() || !preserve && !List.of("apiVersion", "kind", "metadata")
                            .contains(field.getKey())) {
                        errors.add(child + ": unknown field");
                    }
                }
                for (JsonNode required : schema.path("required")) {
                    if (!value.has(required.asText())) {
                        errors.add(path + "." + required.asText() + ": required");
                    }
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    errors.add(path + ": must be an array");
                    return;
                }
                if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
                    errors.add(path + ": must have at least " + schema.get("minItems").asInt() + " item(s)");
                }
                for (int i = 0; i < value.size(); i++) {
                    validate(value.get(i), schema.get("items"), path + "[" + i + "]", errors);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    errors.add(path + ": must be a string, not " + value.getNodeType().name().toLowerCase());
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    errors.add(path + ": must be an integer");
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    errors.add(path + ": must be a boolean");
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    errors.add(path + ": must be a number");
                }
            }
            default -> {
                // no type: anything goes
            }
        }
    }
}
