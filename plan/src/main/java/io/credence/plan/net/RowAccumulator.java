package io.credence.plan.net;

import java.util.Arrays;

/**
 * Sums values by column, keeping the columns sorted, so that several firings that lead to the same
 * target merge into one generator entry. Rows are short (one entry per enabled timed transition and
 * per tangible outcome of a vanishing path), so a sorted array with insertion beats hashing.
 */
final class RowAccumulator {

    private int[] columns = new int[16];
    private double[] values = new double[16];
    private int size;

    void add(int column, double value) {
        int at = Arrays.binarySearch(columns, 0, size, column);
        if (at >= 0) {
            values[at] += value;
            return;
        }
        int insertAt = -at - 1;
        if (size == columns.length) {
            columns = Arrays.copyOf(columns, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        System.arraycopy(columns, insertAt, columns, insertAt + 1, size - insertAt);
        System.arraycopy(values, insertAt, values, insertAt + 1, size - insertAt);
        columns[insertAt] = column;
        values[insertAt] = value;
        size++;
    }

    int[] columns() {
        return Arrays.copyOf(columns, size);
    }

    double[] values() {
        return Arrays.copyOf(values, size);
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        size = 0;
    }
}
