# gnuplot script of scripts/bench-report.sh: the plots of a bench report.
# Call with -e "data='DIR/data'; outdir='DIR'".

set terminal pngcairo size 800,500 font ",10"
set grid
set key top right

# The removal latency histogram, 10 bins over the measured range.
stats data.'/latency.dat' using 1 nooutput
width = (STATS_max - STATS_min) / 10.0
if (width <= 0) width = 1
slot(x) = floor((x - STATS_min) / width)
bin(x) = width * (slot(x) < 10 ? slot(x) : 9) + STATS_min + width / 2
set output outdir.'/latency.png'
set title sprintf('Removal latency under I/O load, one function (%d cycles)', STATS_records)
set xlabel 'echo 0 > power until the slot reads 0 (ms)'
set ylabel 'cycles'
set style fill solid 0.6
set boxwidth width * 0.9
set xrange [STATS_min - width : STATS_max + width]
set yrange [0:*]
set format y '%.0f'

plot data.'/latency.dat' using (bin($1)):(1) smooth frequency with boxes notitle

# The scaling curve: median cycle time per number of functions, min to
# max as error bars, against 3x the time of one function (the target).
stats data.'/parallel-stats.dat' using 2 every ::0::0 nooutput name 'one'
set output outdir.'/scaling.png'
set title 'Powering off N functions at once, with and without busy VMMs'
set xlabel 'functions powered off at once'
set ylabel 'time of the cycle (ms)'
set xrange [0:21]
set xtics (1, 5, 10, 20)
set yrange [0:*]
set key top left
plot data.'/parallel-stats.dat' using 1:2:3:4 with yerrorlines title 'busy VMMs: median (min to max)', \
     data.'/idle-stats.dat' using 1:2:3:4 with yerrorlines title 'no user: median (min to max)', \
     3 * one_min with lines dashtype 2 title 'target: 3x one function, busy VMMs'
