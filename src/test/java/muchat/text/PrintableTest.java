package muchat.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What user text looks like once escaped for a log line or a terminal. */
class PrintableTest {

    @Test
    void ordinaryTextIsReturnedAsItIs() {
        String text = "Zoë 张伟 😀 <b>&amp;</b> 'quoted'";
        assertSame(text, Printable.escape(text));
        assertTrue(Printable.isShown(text));
    }

    @Test
    void lineBreaksAndTabsBecomeTheirEscapes() {
        assertEquals("eve\\nINFO forged\\r\\tend", Printable.escape("eve\nINFO forged\r\tend"));
    }

    @Test
    void otherControlCharactersBecomeUnicodeEscapes() {
        assertEquals("\\u001b[2J\\u0000\\u007f\\u0085\\u009b", Printable.escape("\u001b[2J\u0000\u007f\u0085\u009b"));
    }

    @Test
    void lineSeparatorsAndBidirectionalControlsAreEscaped() {
        assertEquals("a\\u2028b\\u2029c\\u202etxt.exe\\u2066d\\u2069", Printable.escape(
                "a\u2028b\u2029c\u202etxt.exe\u2066d\u2069"));
        assertFalse(Printable.isShown("abc\u202e"));
    }

    @Test
    void aBackslashIsDoubledSoThatTypedEscapesStayDistinguishable() {
        assertEquals("a\\\\nb", Printable.escape("a\\nb"));
        assertEquals("a\\nb", Printable.escape("a\nb"));
        assertTrue(Printable.isShown("a\\nb"), "a backslash is printable: only escaped to keep escapes unambiguous");
    }

    @Test
    void theEscapedFormIsOneLineOfShownText() {
        StringBuilder every = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) {
            every.append(c);
        }
        String escaped = Printable.escape(every.toString());
        assertTrue(Printable.isShown(escaped));
        assertEquals(-1, escaped.indexOf('\n'));
    }

    @Test
    void unsafeNamesExactlyTheControlsAndSeparators() {
        assertTrue(Printable.isUnsafe('\u0000'));
        assertTrue(Printable.isUnsafe('\u001f'));
        assertFalse(Printable.isUnsafe(' '));
        assertFalse(Printable.isUnsafe('~'));
        assertTrue(Printable.isUnsafe('\u007f'));
        assertTrue(Printable.isUnsafe('\u009f'));
        assertFalse(Printable.isUnsafe('\u00a0'));
        assertFalse(Printable.isUnsafe('\u200d'), "the zero-width joiner holds emoji together");
        assertTrue(Printable.isUnsafe('\u202a'));
        assertFalse(Printable.isUnsafe('\u202f'));
        assertFalse(Printable.isUnsafe('\u2065'));
        assertTrue(Printable.isUnsafe('\u2069'));
        assertFalse(Printable.isUnsafe('\u206a'));
    }

    @Test
    void nullIsShownAsTheWordNull() {
        assertEquals("null", Printable.escape(null));
    }
}
