package org.fcn4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesEveryValueType() {
        Map<String, Object> m = Json.parseObject(
                " {\"a\": 1, \"b\": -2.5e3, \"c\": [true, false, null], \"d\": \"x\\\"\\n\\u00e9\", \"e\": {}} ");
        assertEquals(1L, m.get("a"));
        assertEquals(-2500.0, m.get("b"));
        assertEquals(java.util.Arrays.asList(true, false, null), m.get("c"));
        assertEquals("x\"\né", m.get("d"));
        assertEquals(Map.of(), m.get("e"));
        assertEquals(List.of("a", "b", "c", "d", "e"), List.copyOf(m.keySet()));
    }

    @Test
    void writeThenParseRoundTrips() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "tab\tquote\"back\\slash\u0001");
        m.put("i", 123456789012L);
        m.put("d", 0.1);
        m.put("tiny", 1e-300);
        m.put("list", List.of(1L, "two", 3.5));
        m.put("nan", Double.NaN);
        Map<String, Object> back = Json.parseObject(Json.write(m));
        assertEquals("tab\tquote\"back\\slash\u0001", back.get("s"));
        assertEquals(123456789012L, back.get("i"));
        assertEquals(0.1, back.get("d"));
        assertEquals(1e-300, back.get("tiny"));
        assertEquals(List.of(1L, "two", 3.5), back.get("list"));
        assertNull(back.get("nan"));
    }

    @Test
    void malformedTextNamesThePosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1,}"));
        assertTrue(e.getMessage().contains("character 8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1} x"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1, \"a\": 2}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"\\q\""));
        assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[]"));
    }
}
