package org.badfl.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExperimentTableTest {

    @Test
    void theIntervalIsStudentsT() {
        // mean 2, s = 1, t(0.975, 2) = 4.302652729911275 -> half-width 4.3027 / sqrt(3)
        ExperimentTable.Stat s = ExperimentTable.Stat.of(List.of(1.0, 2.0, 3.0));
        assertEquals(2.0, s.mean(), 1e-12);
        assertEquals(4.302652729911275 / Math.sqrt(3), s.halfWidth(), 1e-9);
        // two values 0.9, 1.0: s = 0.0707..., t(0.975, 1) = 12.7062
        ExperimentTable.Stat two = ExperimentTable.Stat.of(List.of(0.9, 1.0));
        assertEquals(12.706204736174698 * Math.sqrt(0.005) / Math.sqrt(2), two.halfWidth(), 1e-9);
    }

    @Test
    void oneValueHasNoIntervalAndUndefinedValuesAreLeftOut() {
        ExperimentTable.Stat one = ExperimentTable.Stat.of(List.of(0.5));
        assertEquals(0.5, one.mean());
        assertNull(one.halfWidth());
        ExperimentTable.Stat withNull = ExperimentTable.Stat.of(Arrays.asList(0.2, null, 0.4));
        assertEquals(0.3, withNull.mean(), 1e-12);
        assertEquals(2, withNull.values().size());
        assertNull(ExperimentTable.Stat.of(Arrays.asList((Double) null)).mean());
    }

    @Test
    void percentMetricsAndRatesAreFormattedWithTheirInterval() {
        assertEquals("50.00 ± 10.00", ExperimentTable.format(new ExperimentTable.Stat(0.5, 0.1, List.of()), "asr"));
        assertEquals("0.950", ExperimentTable.format(new ExperimentTable.Stat(0.95, null, List.of()), "paper_tpr"));
        assertEquals("-", ExperimentTable.format(new ExperimentTable.Stat(null, null, List.of()), "acc"));
    }
}
