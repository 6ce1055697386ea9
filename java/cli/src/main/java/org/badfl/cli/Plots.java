package org.badfl.cli;

import org.badfl.sim.RoundRecord;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG line charts of a metric per round, one line (with markers) per defense, legend, axis labels and title
 * (JFreeChart, headless).
 */
public final class Plots {

    /** Distinct colours, readable on white and for common colour-vision deficiencies (Okabe–Ito palette). */
    private static final Color[] PALETTE = {new Color(0, 0, 0), new Color(230, 159, 0), new Color(86, 180, 233),
        new Color(0, 158, 115), new Color(213, 94, 0), new Color(0, 114, 178), new Color(204, 121, 167),
        new Color(240, 228, 66), new Color(120, 120, 120)};

    private Plots() {
    }

    /** The run folder's chart renderer: ACC or ASR over rounds. */
    public static byte[] render(List<RoundRecord> records, String subtitle, boolean attackSuccess) {
        return attackSuccess ? attackSuccess(records, subtitle) : accuracy(records, subtitle);
    }

    /** ACC (percent) per round for every defense in the records. */
    public static byte[] accuracy(List<RoundRecord> records, String subtitle) {
        return chart("Clean accuracy (ACC) per round", subtitle, "ACC (%)", records, r -> 100 * r.acc());
    }

    /** ASR (percent, mean over adversaries) per round for every defense in the records. */
    public static byte[] attackSuccess(List<RoundRecord> records, String subtitle) {
        return chart("Attack success rate (ASR) per round", subtitle, "ASR (%)", records,
            r -> r.meanAsr() == null ? null : 100 * r.meanAsr());
    }

    private static byte[] chart(String title, String subtitle, String yLabel, List<RoundRecord> records,
                                Function<RoundRecord, Double> metric) {
        System.setProperty("java.awt.headless", "true");
        Map<String, XYSeries> byDefense = new LinkedHashMap<>();
        int maxRound = 1;
        for (RoundRecord r : records) {
            Double y = metric.apply(r);
            XYSeries s = byDefense.computeIfAbsent(r.defense(), XYSeries::new);
            if (y != null && !y.isNaN()) { // NaN: a round not evaluated (eval-every)
                s.add(r.round(), y);
            }
            maxRound = Math.max(maxRound, r.round());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        byDefense.values().forEach(data::addSeries);

        NumberAxis x = new NumberAxis("Round");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(0.5, maxRound + 0.5);
        NumberAxis y = new NumberAxis(yLabel);
        y.setRange(0, 100);
        y.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(10));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2.0f));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(220, 220, 220));
        plot.setRangeGridlinePaint(new Color(220, 220, 220));
        JFreeChart chart = new JFreeChart(title, new Font("SansSerif", Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        if (subtitle != null && !subtitle.isEmpty()) {
            chart.addSubtitle(new org.jfree.chart.title.TextTitle(subtitle, new Font("SansSerif", Font.PLAIN, 11)));
        }
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.RIGHT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, 900, 500);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
