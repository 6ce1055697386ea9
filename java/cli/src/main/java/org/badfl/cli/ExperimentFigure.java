package org.badfl.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.badfl.experiment.ExperimentTable;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The figure of an experiment (PNG): one panel per metric of the experiment's figure, the figure's x axis (an axis
 * of the grid, or the defense) along the bottom, one line per combination of the other labels and the defense,
 * with the 95% interval over seeds as error bars where there are several seeds.
 */
public final class ExperimentFigure {

    private static final Color[] PALETTE = {new Color(0, 0, 0), new Color(230, 159, 0), new Color(86, 180, 233),
        new Color(0, 158, 115), new Color(213, 94, 0), new Color(0, 114, 178), new Color(204, 121, 167),
        new Color(240, 228, 66), new Color(120, 120, 120)};

    private ExperimentFigure() {
    }

    /** Renders the table's figure as PNG bytes. */
    public static byte[] render(ExperimentTable table) {
        System.setProperty("java.awt.headless", "true");
        String xName = table.figure().x();
        List<String> xLabels = new ArrayList<>();
        for (ExperimentTable.Row r : table.rows()) {
            String x = xOf(r, xName);
            if (!xLabels.contains(x)) {
                xLabels.add(x);
            }
        }
        boolean numeric = xLabels.stream().allMatch(ExperimentFigure::isNumber);
        ValueAxis domain = numeric ? new NumberAxis(xName) : new SymbolAxis(xName, xLabels.toArray(new String[0]));
        if (!numeric) {
            domain.setRange(-0.5, xLabels.size() - 0.5);
        } else {
            double lo = xLabels.stream().mapToDouble(Double::parseDouble).min().orElse(0);
            double hi = xLabels.stream().mapToDouble(Double::parseDouble).max().orElse(1);
            double pad = hi > lo ? 0.05 * (hi - lo) : 0.5;
            domain.setRange(lo - pad, hi + pad);
            if (xLabels.stream().allMatch(x -> x.matches("-?\\d+"))) {
                domain.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            }
        }
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(domain);
        combined.setGap(12);
        for (String metric : table.figure().metrics()) {
            boolean percent = ExperimentTable.isPercent(metric);
            Map<String, YIntervalSeries> series = new LinkedHashMap<>();
            for (ExperimentTable.Row r : table.rows()) {
                ExperimentTable.Stat s = r.metric(metric);
                if (s == null || s.mean() == null) {
                    continue;
                }
                String x = xOf(r, xName);
                double xv = numeric ? Double.parseDouble(x) : xLabels.indexOf(x);
                double k = percent ? 100 : 1;
                double half = s.halfWidth() == null ? 0 : s.halfWidth();
                // the interval drawn within the metric's range (a 2-seed t-interval can reach far beyond it)
                series.computeIfAbsent(seriesName(r, xName), YIntervalSeries::new)
                    .add(xv, k * s.mean(), k * Math.max(0, s.mean() - half), k * Math.min(1, s.mean() + half));
            }
            YIntervalSeriesCollection data = new YIntervalSeriesCollection();
            series.values().forEach(data::addSeries);
            NumberAxis y = new NumberAxis(ExperimentTable.header(metric));
            y.setRange(percent ? -2 : -0.02, percent ? 102 : 1.02);
            XYErrorRenderer renderer = new XYErrorRenderer();
            renderer.setDrawXError(false);
            renderer.setDefaultLinesVisible(true);
            renderer.setDefaultShapesVisible(true);
            for (int i = 0; i < data.getSeriesCount(); i++) {
                renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
                renderer.setSeriesStroke(i, new BasicStroke(2.0f));
                renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
                renderer.setSeriesLinesVisible(i, numeric);
            }
            renderer.setDefaultSeriesVisibleInLegend(combined.getSubplots().isEmpty()); // one legend entry per line
            XYPlot plot = new XYPlot(data, null, y, renderer);
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinePaint(new Color(220, 220, 220));
            plot.setRangeGridlinePaint(new Color(220, 220, 220));
            combined.add(plot, 1);
        }
        JFreeChart chart = new JFreeChart(table.title() + " (" + table.profile() + ")",
            new Font("SansSerif", Font.BOLD, 15), combined, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(new TextTitle(table.rows().stream().mapToInt(r -> r.cells().size()).max().orElse(0) > 1
            ? "mean over seeds, bars: 95% t-interval" : "one seed", new Font("SansSerif", Font.PLAIN, 11)));
        chart.getLegend().setPosition(RectangleEdge.RIGHT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, 1000, 300 + 250 * table.figure().metrics().size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String xOf(ExperimentTable.Row r, String xName) {
        return xName.equals("defense") ? r.defense() : r.labels().get(xName);
    }

    private static String seriesName(ExperimentTable.Row r, String xName) {
        List<String> parts = new ArrayList<>();
        if (!xName.equals("defense")) {
            parts.add(r.defense());
        }
        r.labels().forEach((axis, label) -> {
            if (!axis.equals(xName)) {
                parts.add(axis + "=" + label);
            }
        });
        return parts.isEmpty() ? "all" : String.join(", ", parts);
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

}
