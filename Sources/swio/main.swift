// Entry point: fio's habit `swio JOBFILE...` means `swio run JOBFILE...`.
import SwioCLI
SwioCLI.main(CommandLine.arguments)
