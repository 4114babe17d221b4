package io.credence.plan.chart;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A plain line chart written as PNG with the JDK's own imaging (headless): enough for a sweep's
 * curves, with no charting dependency for one picture.
 */
public final class LineChart {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 560;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};
    private static final int LEFT = 80;
    private static final int RIGHT = 280;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    /** One curve; {@code dashed} for a second kind of figure (e.g. utilisation next to acceptance). */
    public record Series(String name, double[] y, boolean dashed) {}

    private LineChart() {}

    /** Draws the series over {@code x} with the y axis from 0 to {@code yMax} and writes the PNG. */
    public static void write(Path file, String title, String xLabel, String yLabel, double[] x, List<Series> series,
                             double yMax) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int plotW = WIDTH - LEFT - RIGHT;
            int plotH = HEIGHT - TOP - BOTTOM;
            double xMin = x[0];
            double xMax = x[x.length - 1] == xMin ? xMin + 1 : x[x.length - 1];
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, LEFT, TOP - 20);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int i = 0; i <= 5; i++) {
                int yPix = TOP + plotH - plotH * i / 5;
                g.setColor(new Color(0xe0e0e0));
                g.drawLine(LEFT, yPix, LEFT + plotW, yPix);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.2f", yMax * i / 5), LEFT - 45, yPix + 4);
                int xPix = LEFT + plotW * i / 5;
                g.drawString(number(xMin + (xMax - xMin) * i / 5), xPix - 20, TOP + plotH + 20);
            }
            g.drawRect(LEFT, TOP, plotW, plotH);
            g.drawString(xLabel, LEFT + plotW / 2 - 4 * xLabel.length(), HEIGHT - 15);
            g.drawString(yLabel, 10, TOP - 5);
            for (int s = 0; s < series.size(); s++) {
                Series line = series.get(s);
                g.setColor(PALETTE[s % PALETTE.length]);
                g.setStroke(line.dashed()
                        ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {8f, 6f}, 0f)
                        : new BasicStroke(2.5f));
                for (int i = 1; i < x.length; i++) {
                    g.drawLine(px(x[i - 1], xMin, xMax, plotW), py(line.y()[i - 1], yMax, plotH),
                            px(x[i], xMin, xMax, plotW), py(line.y()[i], yMax, plotH));
                }
                int legendY = TOP + 10 + 20 * s;
                g.drawLine(WIDTH - RIGHT + 15, legendY, WIDTH - RIGHT + 45, legendY);
                g.setColor(Color.BLACK);
                g.drawString(line.name(), WIDTH - RIGHT + 52, legendY + 4);
            }
        } finally {
            g.dispose();
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    private static int px(double x, double xMin, double xMax, int plotW) {
        return LEFT + (int) Math.round((x - xMin) / (xMax - xMin) * plotW);
    }

    private static int py(double y, double yMax, int plotH) {
        double clamped = Math.max(0, Math.min(yMax, y));
        return TOP + plotH - (int) Math.round(clamped / yMax * plotH);
    }

    private static String number(double v) {
        return Math.abs(v) >= 10_000 ? String.format(Locale.ROOT, "%.3g", v) : String.format(Locale.ROOT, "%.0f", v);
    }
}
