package dev.scanflow.common;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NameRulesTest {

    @Test
    void aNameTokenHasUpToSixtyFourCharactersAndATagUpToSixtyThree() {
        assertTrue(NameRules.NAME_TOKEN.matcher("a".repeat(64)).matches());
        assertFalse(NameRules.NAME_TOKEN.matcher("a".repeat(65)).matches());
        assertFalse(NameRules.NAME_TOKEN.matcher("Sast").matches());
        assertFalse(NameRules.NAME_TOKEN.matcher("-x").matches());
        assertTrue(NameRules.TAG.matcher("Team/A:" + "x".repeat(56)).matches());
        assertFalse(NameRules.TAG.matcher("t".repeat(64)).matches());
    }
}
