package org.badfl.server.defenses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.badfl.server.Defense;
import org.badfl.server.DefenseOptions;
import org.badfl.server.catalog.Defenses;
import org.junit.jupiter.api.Test;

class DefensesTest {

    @Test
    void everyNameCreatesItsDefense() {
        assertEquals(List.of("fedavg", "flame", "rlr", "crfl", "fltrust", "median", "trimmed-mean", "krum",
            "multi-krum", "norm-clipping", "badfl", "badfl-paper", "rfa", "bulyan", "centered-clipping", "foolsgold",
            "signguard", "bucketing", "dnc", "auror", "simple-clustering", "deepsight", "fldetector", "lasa"),
            Defenses.names());
        for (String name : Defenses.names()) {
            Defense d = Defenses.create(name);
            assertEquals(name, d.name());
        }
    }

    @Test
    void optionsReachTheConstructors() {
        Flame f = (Flame) Defenses.create("flame", Map.of("lambda", "0.01", "vectors", "MODELS", "median-over", "admitted"));
        assertEquals(0.01, f.lambda());
        assertEquals(8, ((Rlr) Defenses.create("rlr", Map.of("threshold", "8"))).threshold());
        Crfl c = (Crfl) Defenses.create("crfl", DefenseOptions.parse("schedule=emnist, sigma=0.02"));
        assertEquals(Crfl.Schedule.EMNIST, c.schedule());
        assertEquals(0.02, c.sigma());
        assertEquals(5.0, ((Crfl) Defenses.create("crfl", Map.of("schedule", "constant", "rho", "5"))).rho(99));
        assertEquals(0.2, ((TrimmedMean) Defenses.create("trimmed-mean", Map.of("beta", "0.2"))).beta());
        assertEquals(2, ((Krum) Defenses.create("krum", Map.of("f", "2"))).attackersFor(10));
        assertEquals(3, ((Krum) Defenses.create("krum", Map.of("f", "auto"))).attackersFor(10));
        assertEquals(3, ((MultiKrum) Defenses.create("multi-krum", Map.of("m", "3"))).selectedFor(10));
        assertEquals(0.5, ((NormClipping) Defenses.create("norm-clipping", Map.of("bound", "0.5"))).bound());
        assertInstanceOf(FlTrust.class, Defenses.create("fltrust"));
    }

    @Test
    void errorsNameWhatIsValid() {
        assertEquals("unknown defense 'flam'; valid names: fedavg, flame, rlr, crfl, fltrust, median, trimmed-mean, "
                + "krum, multi-krum, norm-clipping, badfl, badfl-paper, rfa, bulyan, centered-clipping, foolsgold, "
                + "signguard, bucketing, dnc, auror, simple-clustering, deepsight, fldetector, lasa",
            assertThrows(IllegalArgumentException.class, () -> Defenses.create("flam")).getMessage());
        assertEquals("defense flame: unknown option lamda; valid options: lambda, vectors, median-over",
            assertThrows(IllegalArgumentException.class,
                () -> Defenses.create("flame", Map.of("lamda", "1"))).getMessage());
        assertEquals("defense fedavg: unknown option x; valid options: none",
            assertThrows(IllegalArgumentException.class, () -> Defenses.create("fedavg", Map.of("x", "1"))).getMessage());
        assertEquals("defense rlr: option threshold must be an integer, found 'four'",
            assertThrows(IllegalArgumentException.class,
                () -> Defenses.create("rlr", Map.of("threshold", "four"))).getMessage());
        assertEquals("defense flame: option vectors must be one of updates, models, found 'weights'",
            assertThrows(IllegalArgumentException.class,
                () -> Defenses.create("flame", Map.of("vectors", "weights"))).getMessage());
        assertEquals("flame: lambda must be finite and >= 0, got -1.0",
            assertThrows(IllegalArgumentException.class,
                () -> Defenses.create("flame", Map.of("lambda", "-1"))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Defenses.create("crfl", Map.of("schedule", "constant")));
        assertThrows(IllegalArgumentException.class, () -> Defenses.create("crfl", Map.of("rho", "3")));
        assertThrows(IllegalArgumentException.class, () -> DefenseOptions.parse("lambda"));
        assertThrows(IllegalArgumentException.class, () -> DefenseOptions.parse("a=1,a=2"));
        assertEquals(Map.of(), DefenseOptions.parse(" "));
    }
}
