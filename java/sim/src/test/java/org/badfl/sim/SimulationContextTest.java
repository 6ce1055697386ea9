package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.badfl.engine.Compute;
import org.badfl.server.DefenseObserver;
import org.junit.jupiter.api.Test;

/** The simulator's server context passes a caller's observer to the defenses; none unless given. */
class SimulationContextTest {

    @Test
    void passesTheObserverItIsGiven() {
        Scenario s = Scenario.prepare(TestScenarios.tiny("none", 0, "fedavg"));
        assertSame(DefenseObserver.NONE, new SimulationContext(s, Compute.serial()).observer());
        DefenseObserver mine = details -> {
        };
        assertSame(mine, new SimulationContext(s, Compute.serial(), null, mine).observer());
        assertEquals("simulation context: observer must be given (DefenseObserver.NONE for none)",
            assertThrows(IllegalArgumentException.class,
                () -> new SimulationContext(s, Compute.serial(), null, null)).getMessage());
    }
}
