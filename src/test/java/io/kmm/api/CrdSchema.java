package io.kmm.api;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;

/**
 * A small structural-schema checker, enough to tell whether a manifest fits a CRD's openAPIV3Schema the way the
 * API server would judge it: types, required fields, unknown fields, min/maxItems, min/maxLength, maxProperties, and
 * the {@code x-kubernetes-validations} CEL rules, evaluated with Google's cel-java (the CEL implementation of the
 * same language the API server runs; the rules use only standard CEL). The mock API server does not validate, so
 * tests use this instead. Each error is {@code <path>: <message>}, the rule's message for a CEL rule.
 */
public final class CrdSchema {

    private CrdSchema() {
    }

    public static List<String> validate(JsonNode value, JsonNode schema) {
        List<String> errors = new ArrayList<>();
        validate(value, schema, "", errors);
        return errors;
    }

    private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS).addVar("self", SimpleType.DYN).build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();
    private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

    private static void validate(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (schema == null || value == null || value.isNull()) {
            return;
        }
        int before = errors.size();
        validateType(value, schema, path, errors);
        if (errors.size() == before) { // like the API server: rules run on values of the right shape
            for (JsonNode rule : schema.path("x-kubernetes-validations")) {
                if (!evaluate(rule.path("rule").asText(), value)) {
                    errors.add((path.isEmpty() ? "<root>" : path) + ": " + rule.path("message").asText(
                            "failed rule: " + rule.path("rule").asText()));
                }
            }
        }
    }

    /** Evaluates one CEL rule with {@code self} bound to the value; an evaluation error counts as a failure. */
    public static boolean evaluate(String rule, JsonNode self) {
        CelRuntime.Program program = PROGRAMS.computeIfAbsent(rule, r -> {
            try {
                return RUNTIME.createProgram(CEL.compile(r).getAst());
            } catch (CelValidationException | CelEvaluationException e) {
                throw new IllegalArgumentException("CEL rule does not compile: " + r + ": " + e.getMessage(), e);
            }
        });
        try {
            return Boolean.TRUE.equals(program.eval(Map.of("self", toCel(self))));
        } catch (CelEvaluationException e) {
            return false;
        }
    }

    private static Object toCel(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> {
                if (!e.getValue().isNull()) {
                    map.put(e.getKey(), toCel(e.getValue()));
                }
            });
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(toCel(item)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return node.asText();
    }

    private static void validateType(JsonNode value, JsonNode schema, String path, List<String> errors) {
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
                        errors.add("unknown field \"" + child.substring(1) + "\"");
                    }
                }
                for (JsonNode required : schema.path("required")) {
                    if (!value.has(required.asText())) {
                        errors.add(path + "." + required.asText() + ": Required value");
                    }
                }
                if (schema.has("maxProperties") && value.size() > schema.get("maxProperties").asInt()) {
                    errors.add(path + ": must have at most " + schema.get("maxProperties").asInt() + " entries");
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    errors.add(path + ": must be an array");
                    return;
                }
                if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
                    errors.add(path + " in body should have at least " + schema.get("minItems").asInt() + " items");
                }
                if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
                    errors.add(path + ": Too many: " + value.size() + ": must have at most " + schema.get("maxItems").asInt()
                            + " items");
                }
                for (int i = 0; i < value.size(); i++) {
                    validate(value.get(i), schema.get("items"), path + "[" + i + "]", errors);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    errors.add(path + " in body must be of type string: \"" + value.getNodeType().name().toLowerCase() + "\"");
                } else {
                    int length = value.asText().codePointCount(0, value.asText().length());
                    if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
                        errors.add(path + ": may not be longer than " + schema.get("maxLength").asInt());
                    }
                    if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
                        errors.add(path + ": should be at least " + schema.get("minLength").asInt() + " chars long");
                    }
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
