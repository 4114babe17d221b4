package io.credence.ledger;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The primitive closed-reservation table against a map of objects doing the same, over random operations. */
class ClosedReservationsTest {
    record Entry(ReservationStatus status, long at) {}

    @Test
    void behavesAsAnInsertionOrderedMapThroughGrowthRemovalsAndWrapAround() throws Exception {
        for (int seed = 0; seed < 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            ClosedReservations table = new ClosedReservations();
            LinkedHashMap<Long, Entry> model = new LinkedHashMap<>();
            long nextId = 1;
            long now = 0;
            for (int step = 0; step < 20_000; step++) {
                int op = random.nextInt(100);
                if (op < 55) {
                    long id = nextId + random.nextInt(3); // ids need not close in order
                    nextId = id + 1;
                    ReservationStatus status = ReservationStatus.values()[random.nextInt(ReservationStatus.values().length)];
                    table.add(id, status, ++now);
                    model.put(id, new Entry(status, now));
                } else if (op < 75 && !model.isEmpty()) {
                    table.removeOldest();
                    model.pollFirstEntry();
                } else if (op < 85 && !model.isEmpty()) {
                    long newest = model.lastEntry().getKey(); // a rolled-back close
                    table.remove(newest);
                    model.remove(newest);
                } else if (op < 88 && !model.isEmpty()) {
                    List<Long> ids = new ArrayList<>(model.keySet());
                    long any = ids.get(random.nextInt(ids.size()));
                    table.remove(any);
                    model.remove(any);
                } else {
                    long probe = 1 + random.nextLong(nextId + 5);
                    Entry expected = model.get(probe);
                    assertThat(table.status(probe)).isEqualTo(expected == null ? null : expected.status());
                    if (expected != null) {
                        assertThat(table.closedAt(probe)).isEqualTo(expected.at());
                    }
                }
                assertThat(table.size()).as("seed %d step %d", seed, step).isEqualTo(model.size());
                if (!model.isEmpty()) {
                    assertThat(table.oldestClosedAt()).isEqualTo(model.firstEntry().getValue().at());
                }
            }
            List<Long> order = new ArrayList<>();
            table.forEachOldestFirst((id, status, at) -> {
                order.add(id);
                assertThat(new Entry(status, at)).isEqualTo(model.get(id));
            });
            assertThat(order).containsExactlyElementsOf(model.keySet());
            for (Map.Entry<Long, Entry> e : model.entrySet()) {
                assertThat(table.status(e.getKey())).isEqualTo(e.getValue().status());
            }
        }
    }

    @Test
    void refusesAnIdClosedTwiceAndAskingAboutOneNotRemembered() {
        ClosedReservations table = new ClosedReservations();
        table.add(7, ReservationStatus.COMMITTED, 1);
        assertThatThrownBy(() -> table.add(7, ReservationStatus.RELEASED, 2)).hasMessageContaining("closed twice");
        assertThatThrownBy(() -> table.add(0, ReservationStatus.RELEASED, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(table.status(8)).isNull();
        assertThat(table.status(0)).isNull();
        assertThatThrownBy(() -> table.closedAt(8)).isInstanceOf(IllegalArgumentException.class);
        table.removeOldest();
        assertThat(table.isEmpty()).isTrue();
        assertThatThrownBy(table::removeOldest).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(table::oldestClosedAt).isInstanceOf(IllegalStateException.class);
    }
}
