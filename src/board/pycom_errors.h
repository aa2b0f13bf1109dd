/* The Pycom firmware's error texts (its esp32/util/mpexception.c), raised
 * as they are by its modules and by the port table's facts (periph.c).
 * Each written once here. */
#ifndef VB_BOARD_PYCOM_ERRORS_H
#define VB_BOARD_PYCOM_ERRORS_H

#define VB_PYCOM_BAD_ARGS "invalid argument(s) value"             /* mpexception_value_invalid_arguments */
#define VB_PYCOM_NO_RESOURCE "resource not available"              /* mpexception_os_resource_not_avaliable */
#define VB_PYCOM_NOT_POSSIBLE "the requested operation is not possible" /* mpexception_os_request_not_possible */

#endif
