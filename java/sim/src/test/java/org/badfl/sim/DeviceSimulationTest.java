package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.badfl.gpu.check.Compare;
import org.badfl.gpu.EmulatedDevice;
import org.junit.jupiter.api.Test;

/**
 * The simulator with clients training on a device (the CPU emulation of the CUDA kernels) against the same run on
 * the CPU engine: every client update of the round, captured as the server receives it, and the round's accuracy.
 * Honest clients train on the device and agree within the GPU backend's whole-model tolerance (2e-5 of each update's
 * largest value plus 1e-5 relative: float GEMMs and reductions reassociated, see org.badfl.gpu.check.TrainingChecks);
 * attacking clients keep the CPU path, so their updates are bit-identical.
 */
class DeviceSimulationTest {

    private static Map<String, float[]> run(ScenarioConfig config, EmulatedDevice device) {
        Map<String, float[]> updates = new ConcurrentHashMap<>();
        Simulation.of(Scenario.prepare(config)).device(device)
            .tamper((defense, round, id, attacking, delta) -> {
                updates.put(defense + "/" + round + "/" + id + (attacking ? "/attacker" : ""), delta.clone());
                return delta;
            }).build().run();
        return updates;
    }

    @Test
    void oneRoundOnTheEmulatedDeviceEqualsTheCpuRun() {
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 2, "fedavg");
        c.rounds = 1;
        Map<String, float[]> cpu = run(c, null);
        Map<String, float[]> emu;
        try (EmulatedDevice dev = new EmulatedDevice(2)) {
            emu = run(c, dev);
        }
        assertEquals(cpu.keySet(), emu.keySet());
        int attackers = 0;
        for (Map.Entry<String, float[]> e : cpu.entrySet()) {
            float[] ref = e.getValue();
            float[] got = emu.get(e.getKey());
            if (e.getKey().endsWith("/attacker")) {
                attackers++;
                assertArrayEquals(ref, got, e.getKey() + ": attackers train on the CPU in both runs");
            } else {
                double max = 0;
                for (float v : ref) {
                    max = Math.max(max, Math.abs(v));
                }
                Compare.close("update " + e.getKey(), ref, got, 2e-5 * max, 1e-5);
            }
        }
        assertTrue(attackers > 0 && attackers < cpu.size(), "the round mixes device and CPU clients: " + cpu.keySet());
    }
}
